"""Signed webhooks (Standard Webhooks) and chat notices, delivered from one outbox."""
