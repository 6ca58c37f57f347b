"""``python -m toolkit`` runs the same program as the ``zbtz`` console script."""

from .cli import main

if __name__ == "__main__":
    main()
