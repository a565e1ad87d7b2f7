"""Google Fact Check Tools-compatible search (`GET /v1alpha1/claims:search`) over claimcheck's checks."""
