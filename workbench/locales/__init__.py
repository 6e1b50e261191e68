"""UI string catalogues, one TOML file per language (a package so the files ship with the wheel)."""
