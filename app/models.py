"""Imports every feature's models so SQLModel.metadata knows all tables (Alembic, tests)."""

from __future__ import annotations

import importlib
import pkgutil

from sqlmodel import SQLModel

import app


def load_all_models() -> type[SQLModel]:
    for module in pkgutil.iter_modules(app.__path__):
        if module.ispkg:
            try:
                importlib.import_module(f"app.{module.name}.models")
            except ModuleNotFoundError as exc:
                if exc.name != f"app.{module.name}.models":
                    raise
    return SQLModel
