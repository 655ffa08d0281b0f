"""Executing report notebooks: one (papermill) or many (batch)."""
