"""« Historique FSE »: the transmitted FSE of the last 12 months, filters, totals, chart, CSV, deletion."""
