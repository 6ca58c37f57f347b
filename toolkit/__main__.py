"""``python -m toolkit`` runs the same program as the ``zbtz`` console script."""

from toolkit.cli import main

if __name__ == "__main__":
    main()
