"""Stage 4, reports: the Excel plan and the HTML report, pure functions of the result tables."""
