"""Pure parsers and reference data every feature uses: regions, catalogue, quantities, dates, posting lines."""
