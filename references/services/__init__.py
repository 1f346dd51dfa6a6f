"""Every state-changing use case of the reference inventory.

Split by topic; import from here: ``from references import services``. The CSV import is its own
package, ``references.imports`` (it plans status moves with ``profile_transition_plan`` here).
"""

from .consents import *  # noqa: F403
from .custom_fields import *  # noqa: F403
from .erasure import *  # noqa: F403
from .inventory import *  # noqa: F403
from .nominations import *  # noqa: F403
