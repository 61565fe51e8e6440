"""edgec's PyTorch front end: an nn.Module to edgec's graph dialect, and the
compile() call that turns it into an artifact (docs/guides/pytorch.md)."""

from .importer import UnsupportedError, import_module
from .tracer import TraceFailure
from .api import CompileError, compile

__all__ = ["compile", "import_module", "CompileError", "UnsupportedError", "TraceFailure"]
