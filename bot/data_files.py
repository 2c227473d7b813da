"""Where the shipped data lives (`bot/data/`: prisons, places, helplines, crisis phrases;
sources and licences in `bot/data/SOURCES.md`), for every module that reads it."""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
