from django.db import migrations


class Migration(migrations.Migration):
    """Plan runs, trips, stops and placements now belong to planning (``planning.0001``), which
    keeps their tables: dispatch lets go of them in Django's state only, no table is dropped."""

    dependencies = [
        ('dispatch', '0002_park_arrival'),
        ('planning', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='Placement'),
                migrations.DeleteModel(name='Stop'),
                migrations.DeleteModel(name='Trip'),
                migrations.DeleteModel(name='PlanRun'),
            ],
        ),
    ]
