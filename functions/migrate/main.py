"""The migrate function: AWS Lambda `handler` and the Cloud Run job entry `migrate`."""

from dovvy.migrate_function import lambda_handler, run

handler = lambda_handler


def migrate() -> None:
    print(run())


if __name__ == "__main__":
    migrate()
