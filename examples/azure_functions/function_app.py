"""An Azure Functions (Python v2 programming model) app.

The HTTP function hands the confirmation e-mail to a thread and returns. The Python
worker keeps running after the response, so the thread is not paused: it competes
with later invocations for the worker, and is killed mid-send when the instance is
scaled in. Nothing reports a failed e-mail either.
"""

import json
import logging
import smtplib
import threading
from email.message import EmailMessage

import azure.functions as func

app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)


def send_confirmation(address: str, order_id: str) -> None:
    message = EmailMessage()
    message["To"] = address
    message["Subject"] = f"Order {order_id} confirmed"
    with smtplib.SMTP("smtp.example.com") as smtp:
        smtp.send_message(message)


@app.route(route="orders", methods=["POST"])
def create_order(req: func.HttpRequest) -> func.HttpResponse:
    order = req.get_json()
    logging.info("order %s received", order["id"])
    mailer = threading.Thread(target=send_confirmation, args=(order["email"], order["id"]))
    mailer.start()
    return func.HttpResponse(json.dumps({"id": order["id"]}), status_code=201, mimetype="application/json")


@app.timer_trigger(schedule="0 */5 * * * *", arg_name="timer")
def purge_expired_carts(timer: func.TimerRequest) -> None:
    logging.info("purging expired carts")
