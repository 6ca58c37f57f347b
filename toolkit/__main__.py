"""``python -m toolkit`` runs the same program as the ``zbtz`` console script."""

from toolkit.cli import run

if __name__ == "__main__":
    run()
