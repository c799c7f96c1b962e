"""E-mail notifications: an outbox written with the request, delivered by `flask send-reminders`."""
