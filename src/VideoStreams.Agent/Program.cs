// vs-agent: work in progress on the producer branch (issue 7).
Console.Error.WriteLine("vs-agent: not built yet.");
return 1;
