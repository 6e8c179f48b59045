// Gateway drives HAProxy on Linux: unix sockets, signals, /proc.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
