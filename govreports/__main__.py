from govreports.cli import cli

cli(prog_name="govreports")
