"""Send e-mail over SMTP from the config, or print it to the app log when no MAIL_SERVER is set."""

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app

from app.notifications.messages import OutgoingMail

SMTP_TIMEOUT_SECONDS = 15


class MailError(Exception):
    """A message was not accepted; the reason is the message."""


class Mailer:
    """Deliver messages through one SMTP connection, opened on first use and closed by `close()`.

    If the server cannot be reached, every later message of the run fails at
    once with the same reason instead of waiting for its own timeout.
    """

    def __init__(self, config):
        self.server = config["MAIL_SERVER"].strip()
        self.port = config["MAIL_PORT"]
        self.use_tls = config["MAIL_USE_TLS"]
        self.username = config["MAIL_USERNAME"]
        self.password = config["MAIL_PASSWORD"]
        self.sender = config["MAIL_SENDER"]
        self._smtp: smtplib.SMTP | None = None
        self._unreachable: str | None = None

    def __enter__(self) -> "Mailer":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def message(self, mail: OutgoingMail) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        message.set_content(mail.body)
        for attachment in mail.attachments:
            message.add_attachment(attachment.content, maintype=attachment.maintype, subtype=attachment.subtype,
                                   filename=attachment.filename, params=attachment.params)
        return message

    def send(self, mail: OutgoingMail) -> None:
        """Send one message, or raise MailError saying why it was not accepted."""
        message = self.message(mail)
        if not self.server:
            attached = "".join(f"\n[attached: {a.filename}]" for a in mail.attachments)
            current_app.logger.info("E-mail (MAIL_SERVER is not set, so it is logged instead of sent)\n"
                                    "To: %s\nSubject: %s\n\n%s%s", mail.to, mail.subject, mail.body, attached)
            return
        smtp = self._connection()
        try:
            smtp.send_message(message)
        except smtplib.SMTPResponseException as error:
            # The server answered and smtplib reset the exchange: the connection stays usable,
            # unless the answer was 421, "closing the connection".
            if error.smtp_code == 421:
                self._drop_connection()
            raise MailError(f"{error.smtp_code} {error.smtp_error.decode(errors='replace')}") from error
        except smtplib.SMTPRecipientsRefused as error:
            raise MailError(f"recipient refused: {describe(error)}") from error
        except (smtplib.SMTPException, OSError) as error:
            self._drop_connection()
            raise MailError(f"connection lost: {describe(error)}") from error

    def _connection(self) -> smtplib.SMTP:
        if self._unreachable is not None:
            raise MailError(self._unreachable)
        if self._smtp is None:
            try:
                smtp = smtplib.SMTP(self.server, self.port, timeout=SMTP_TIMEOUT_SECONDS)
                try:
                    if self.use_tls:
                        smtp.starttls(context=ssl.create_default_context())
                    if self.username:
                        smtp.login(self.username, self.password)
                except BaseException:
                    smtp.close()
                    raise
            except (smtplib.SMTPException, OSError) as error:
                self._unreachable = f"cannot use the mail server {self.server}:{self.port}: {describe(error)}"
                raise MailError(self._unreachable) from error
            self._smtp = smtp
        return self._smtp

    def _drop_connection(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()

    def close(self) -> None:
        """Say goodbye to the server, if a connection was opened."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def describe(error: Exception) -> str:
    return str(error) or type(error).__name__
