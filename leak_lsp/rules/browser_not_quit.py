"""## What it does
Checks for browser drivers that a handler launches and does not quit on every path to
its exits: Selenium's `webdriver.Chrome()`, `Firefox()`, `Edge()`, `Safari()`,
`Remote()` and the drop-in drivers built on them (selenium-wire, undetected-chromedriver,
splinter's `Browser()`),
Playwright started with `sync_playwright().start()` (or `async_playwright()`) and not
stopped (`with sync_playwright() as p:` stops it, and the browsers it launched, at the
block's exit), and Pyppeteer browsers (`await pyppeteer.launch()`) not closed.
A driver opened in a `with` block is quit at the block's exit; `with closing(driver)`
only calls `close()`, which does not quit it. A driver created at import
time and reused by every invocation is not reported: it idles between invocations.

## Why is this bad?
A driver starts a browser and a driver process (`chromedriver`, `geckodriver`) that run
until `quit()`. Left running, they are frozen with the container and resume in a later
invocation, holding memory, `/tmp` profile directories and file descriptors: a scraper
that forgets `quit()` on one path runs out of memory after a few warm invocations.
`close()` closes a window, not the browser.

## Example
```python
from selenium import webdriver

def lambda_handler(event, context):
    driver = webdriver.Chrome(options=options)
    driver.get(event["url"])
    return {"title": driver.title}
```

## Use instead
```python
from selenium import webdriver

def lambda_handler(event, context):
    driver = webdriver.Chrome(options=options)
    try:
        driver.get(event["url"])
        return {"title": driver.title}
    finally:
        driver.quit()
```

## Fix safety
Inserting `quit()` before each exit the driver outlives is safe when nothing after the
exit uses the driver: the page was already read.

## References
- [Selenium: quitting the session](https://www.selenium.dev/documentation/webdriver/drivers/)
- [AWS Lambda execution environment](https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html)
"""

from leak_lsp.analysis.model import Outcome, Severity
from leak_lsp.rules.rule import Rule, WorkKind

_SELENIUM_BROWSERS = ("Chrome", "Firefox", "Edge", "ChromiumEdge", "Safari", "Remote", "Ie", "WebKitGTK", "WPEWebKit")

SELENIUM_DRIVER = WorkKind(
    name="browser",
    handle_name="driver",
    noun="browser driver",
    created_by=(
        *(f"selenium.webdriver.{browser}" for browser in _SELENIUM_BROWSERS),
        *(f"seleniumwire.webdriver.{browser}" for browser in _SELENIUM_BROWSERS),
        "selenium.webdriver.chrome.webdriver.WebDriver",
        "selenium.webdriver.firefox.webdriver.WebDriver",
        "selenium.webdriver.remote.webdriver.WebDriver",
        "undetected_chromedriver.Chrome",
        "splinter.Browser",
        "splinter.browser.Browser",
    ),
    settle_methods=frozenset({"quit"}),
    with_settles=True,
    reported_at_import=False,
    settle_template="{handle}.quit()",
    settle_title="Quit the browser",
)

PLAYWRIGHT = WorkKind(
    name="playwright",
    handle_name="playwright",
    noun="Playwright driver",
    started_by=(("playwright.sync_api.sync_playwright", "start"), ("playwright.async_api.async_playwright", "start")),
    start_returns_handle=True,
    settle_methods=frozenset({"stop"}),
    reported_at_import=False,
    settle_template="{handle}.stop()",
    settle_title="Stop Playwright",
)

PYPPETEER = WorkKind(
    name="pyppeteer",
    handle_name="browser",
    noun="Pyppeteer browser",
    created_by=("pyppeteer.launch", "pyppeteer.launcher.launch", "pyppeteer.launcher.Launcher.launch"),
    settle_methods=frozenset({"close"}),
    reported_at_import=False,
    settle_template="await {handle}.close()",
    settle_title="Close the browser",
)

RULE = Rule(
    code="EL110",
    name="browser-not-quit",
    outcome=Outcome.LEAK,
    severity=Severity.WARNING,
    message="{what} launched here is still running when the {entry} {exits}; its browser outlives the invocation",
    kinds=(SELENIUM_DRIVER, PLAYWRIGHT, PYPPETEER),
)
