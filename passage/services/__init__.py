"""The service layer: small typed functions between the tables and everything else."""
