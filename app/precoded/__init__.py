"""« FSE pré-codées »: named baskets of acts, saved from the FSE page and applied in one tap."""
