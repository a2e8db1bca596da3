"""## What it does
Reports, at information level, pending work that a handler hands to code the analysis
cannot follow (stores it on `self`, in a module-level container, or passes it to a
function it cannot see) when nothing in the module settles it. A name the handler goes on
using after the call (`WebDriverWait(driver, 5)` then `driver.quit()`) was only lent: the
handler still owns its work, and the other rules judge it.

## Why is this bad?
Work kept on an object or in a global container outlives the invocation by design.
Unless some code waits for it before a handler returns, it is an execution leak that
the analysis cannot prove. The policy: no finding when any code of the module settles
work stored under the same attribute or container (for example a `close()` that joins
`self.worker`); otherwise one information-level finding, never an error.

## Example
```python
BACKGROUND = set()

def lambda_handler(event, context):
    task = asyncio.ensure_future(audit(event))
    BACKGROUND.add(task)
    return {"ok": True}
```

## Use instead
Settle the work before returning, or give the object that keeps it a method that
settles it and call that method before each exit.

## Fix safety
No automatic fix: the analysis does not know where the work should be settled.

## References
- [Ruff RUF006](https://docs.astral.sh/ruff/rules/asyncio-dangling-task/) (whose advice to keep tasks in a global set is itself this case)
"""

from leak_lsp.analysis.model import Outcome, Severity
from leak_lsp.rules.rule import Occasion, Rule

RULE = Rule(
    code="EL901",
    name="work-handed-off",
    outcome=Outcome.UNKNOWN,
    severity=Severity.INFORMATION,
    message="{what} started here is handed to {target}, and nothing in this module settles it",
    occasion=Occasion.HANDED_OFF,
)
