// The code under test targets Linux (unix sockets, signals, /proc); so do its specs.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
