using Bff.Host;

BffHostApp.Create(args).Run();
