"""The baseline CRFs of screening: demographics, medical history, and the dermatomyositis and
ILD history (models in enrollment.models; rules, services, forms and pages here)."""
