"""Pure domain rules of the FSE portal: no Flask, no database. The richest tests live here."""
