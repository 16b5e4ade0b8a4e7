"""The migrate function: Lambda `handler`, Cloud Run functions HTTP target `migrate`, and a job
entry (`python main.py`) for running it by hand."""

import json

from dovvy.migrate_function import lambda_handler, run

handler = lambda_handler


def migrate(request: object = None) -> str:
    return json.dumps(run())


if __name__ == "__main__":
    print(migrate())
