// The library's namespaces are imported once here, so moving a type between the library's folders
// changes this file rather than every test.
global using Bff.Antiforgery;
global using Bff.Configuration;
global using Bff.Diagnostics;
global using Bff.Distributed;
global using Bff.Endpoints;
global using Bff.Health;
global using Bff.Http.Edge;
global using Bff.Http.Responses;
global using Bff.Http.SecurityHeaders;
global using Bff.Http;
global using Bff.Logging;
global using Bff.Oidc;
global using Bff.Proxy;
global using Bff.RateLimiting;
global using Bff.Redis;
global using Bff.Sessions.Audit;
global using Bff.Sessions.Cookie;
global using Bff.Sessions.Lifecycle;
global using Bff.Sessions.Store;
global using Bff.Sessions;
global using Bff.Testing;
global using Bff.Tokens;
