"""Spreadsheet import and export (docs/import-export.md)."""
