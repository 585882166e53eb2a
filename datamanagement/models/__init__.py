"""The models of data management, one module a part (each imported here so Django finds it)."""

from datamanagement.models.exports import EXPORT_MOVES, ExportEvent, ExportJob  # noqa: F401
from datamanagement.models.locks import DataLock, LockCertificate  # noqa: F401
from datamanagement.models.queries import *  # noqa: F403
from datamanagement.models.sdv import CasebookSignature, SourceVerification  # noqa: F401
