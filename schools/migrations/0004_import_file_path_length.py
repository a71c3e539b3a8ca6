from django.db import migrations, models

import schools.models.imports


class Migration(migrations.Migration):
    dependencies = [
        ("schools", "0003_public_data_and_joining"),
    ]

    operations = [
        migrations.AlterField(
            model_name="importfile",
            name="file",
            field=models.FileField(max_length=255, upload_to=schools.models.imports.import_upload_path),
        ),
    ]
