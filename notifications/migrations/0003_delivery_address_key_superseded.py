"""Delivery: a recipient-address key, a SUPERSEDED status, longer occurrence keys.

Split in three (schema, data, constraints) so PostgreSQL never alters a table with pending
trigger events from the data step."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_weekly_digest"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="delivery", name="delivery_once"),
        migrations.AddField(
            model_name="delivery",
            name="address_key",
            field=models.CharField(blank=True, default="", max_length=254),
        ),
        migrations.AlterField(
            model_name="delivery",
            name="occurrence_key",
            field=models.CharField(blank=True, default="", max_length=40),
        ),
        migrations.AlterField(
            model_name="delivery",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("queued", "Queued"),
                    ("sending", "Sending"),
                    ("sent", "Sent"),
                    ("failed", "Failed"),
                    ("missed", "Missed"),
                    ("skipped", "Skipped"),
                    ("superseded", "Superseded"),
                ],
                default="pending",
                max_length=10,
            ),
        ),
    ]
