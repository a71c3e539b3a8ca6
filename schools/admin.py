# Schools are trust-owned records, managed in the app, not in the operator's admin.
