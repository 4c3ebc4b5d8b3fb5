from .roles import Role, user_roles


def navigation(request):
    roles = user_roles(request.user) if hasattr(request, "user") else set()
    return {
        "user_roles": roles,
        "user_role_labels": [Role(r).label for r in sorted(roles)],
        "Role": Role,
    }
