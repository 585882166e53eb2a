"""The models of data management, one module a part (each imported here so Django finds it)."""

from datamanagement.models.sdv import CasebookSignature, SourceVerification  # noqa: F401
