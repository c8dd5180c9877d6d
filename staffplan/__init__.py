"""staffplan: turn planned data-center buildouts into the cheapest hiring plan."""

__version__ = "0.2.1"
