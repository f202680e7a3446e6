"""Text composers, one module per genre; each returns an `Article` from a seeded RNG."""
