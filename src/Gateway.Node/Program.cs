var b = WebApplication.CreateBuilder(args); var app = b.Build(); app.Run();
