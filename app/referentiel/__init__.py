"""Reference data: nomenclatures, dated tariffs and the Convention's rules, with their importer."""
