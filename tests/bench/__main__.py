"""`python -m tests.bench [--sizes 1,5,10] [--db sqlite|postgres] [--quick]`."""

from __future__ import annotations

import argparse
from pathlib import Path

from tests.bench.runner import PHASES, Options, run


def parse(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench",
        description="Time balance-dash's import, dashboard and summary against the bare calendar libraries.",
    )
    parser.add_argument("--sizes", help="Years of history per generated export, comma-separated (default 1,5,10).")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite",
                        help="Database: a fresh SQLite file, or a throwaway PostgreSQL cluster.")
    parser.add_argument("--quick", action="store_true", help="Only the 1-year size (unless --sizes), fewer reruns.")
    parser.add_argument("--seed", type=int, default=7, help="Seed of the export generator.")
    parser.add_argument("--out", type=Path, default=Path("bench-results"), help="Folder for the results and files.")
    parser.add_argument(
        "--phases", help=f"Only these phases, comma-separated, of {','.join(PHASES)} (default: all; the later ones "
        "read the database the import phase fills).",
    )
    args = parser.parse_args(argv)
    default = "1" if args.quick else "1,5,10"
    try:
        sizes = tuple(int(part) for part in (args.sizes or default).split(",") if part.strip())
    except ValueError:
        parser.error(f"--sizes takes whole numbers of years, like 1,5,10 (got {args.sizes!r})")
    if not sizes or min(sizes) < 1:
        parser.error("--sizes needs at least one size of 1 year or more")
    chosen = tuple(part.strip() for part in (args.phases or "").split(",") if part.strip())
    unknown = sorted(set(chosen) - set(PHASES))
    if unknown:
        parser.error(f"--phases: unknown phase {', '.join(unknown)} (the phases: {', '.join(PHASES)})")
    return Options(sizes=sizes, db=args.db, quick=args.quick, seed=args.seed, out=args.out, phases=chosen)


def main(argv: list[str] | None = None) -> None:
    run(parse(argv))


if __name__ == "__main__":
    main()
