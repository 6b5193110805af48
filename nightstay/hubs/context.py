def hub_context(request):
    """The current hub and roles (set by ``hub_role_required``) for the base template."""
    return {"hub": getattr(request, "hub", None), "roles": getattr(request, "roles", set())}
