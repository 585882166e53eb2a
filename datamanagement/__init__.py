"""Data management: queries, source data verification, freeze and lock, the subject matrix
and the casebook sign-off. It sits above the trial apps and below the portal, and reaches
every CRF through `trial_edc.core.registry` — never a CRF model by name (an import contract
in pyproject.toml forbids importing dosing, safety or efficacy)."""
