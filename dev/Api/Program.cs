using DemoApi;

DemoApiApp.Create(args).Run();
