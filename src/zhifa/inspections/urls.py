from django.urls import path

from zhifa.inspections import views

app_name = "inspections"

urlpatterns = [
    path("inspections/", views.plan_list_view, name="plan-list"),
    path("inspections/plans/new/", views.plan_create_view, name="plan-create"),
    path("inspections/plans/<int:pk>/", views.plan_detail_view, name="plan-detail"),
    path("inspections/plans/<int:pk>/commit/", views.plan_commit_view, name="plan-commit"),
    path("inspections/plans/<int:pk>/draw/", views.plan_draw_view, name="plan-draw"),
    path("inspections/matters/", views.matter_list_view, name="matter-list"),
    path("inspections/matters/new/", views.matter_create_view, name="matter-create"),
    path("inspections/matters/disclose/", views.matter_disclose_view, name="matter-disclose"),
    path("inspections/matters/<int:pk>/", views.matter_detail_view, name="matter-detail"),
    path(
        "inspections/matters/<int:pk>/targets.xlsx", views.target_export_view, name="target-export"
    ),
    path(
        "inspections/matters/<int:pk>/targets/new/", views.target_create_view, name="target-create"
    ),
    path(
        "inspections/matters/<int:pk>/targets/import/",
        views.target_import_view,
        name="target-import",
    ),
    path("inspections/matters/<int:pk>/pool/add/", views.pool_add_view, name="pool-add"),
    path(
        "inspections/matters/<int:pk>/conflicts/new/",
        views.conflict_declare_view,
        name="conflict-create",
    ),
    path("inspections/tasks/", views.inspection_list_view, name="inspection-list"),
    path("inspections/tasks/<int:pk>/", views.inspection_detail_view, name="inspection-detail"),
]
