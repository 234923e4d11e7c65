using OpenIddictProvider;

ProviderApp.Create(args).Run();
