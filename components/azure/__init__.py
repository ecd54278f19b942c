"""The Azure target: VNet, PostgreSQL Flexible Server, Azure Managed Redis, Blob Storage, Key
Vault, Container Registry and Container Apps (pulumi-azure-native, per submodule)."""

from components.azure.target import AzureTarget as Target

__all__ = ["Target"]
