"""`python -m store migrate | current | heads | revision -m "message"` on database_url() (NLP_ATLAS_DATABASE_URL).

`revision` autogenerates a migration from store/models.py against a database at head: write the models, run
`python -m store migrate` on a scratch SQLite file, then
`NLP_ATLAS_DATABASE_URL=sqlite:////tmp/scratch.db python -m store revision -m "rooms"`, and read what it wrote.
"""

from __future__ import annotations

import argparse
import sys

from . import db


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m store")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="upgrade the database to the newest revision")
    sub.add_parser("current", help="print the database's revision")
    sub.add_parser("heads", help="print the newest revision in store/migrations")
    rev = sub.add_parser("revision", help="autogenerate a new revision from store/models.py")
    rev.add_argument("-m", "--message", required=True)
    args = parser.parse_args(argv)
    if args.command == "migrate":
        db.migrate()
        print(f"{db.database_url()} is at {db.current_revision()}")
    elif args.command == "current":
        print(db.current_revision())
    elif args.command == "heads":
        print(db.head_revision())
    else:
        from alembic import command

        cfg = db._alembic_config()
        number = int(db.head_revision()) + 1
        command.revision(cfg, message=args.message, autogenerate=True, rev_id=f"{number:04d}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
