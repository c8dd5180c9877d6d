"""Stage 1, inputs: the schema as data, the workbook reader, validation rules, demand,
the template."""
