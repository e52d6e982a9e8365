"""A Spark Connect server for the tests, in a process of its own as a real one would be:
`python spark_connect_server.py PORT` starts a local Spark (two cores) with the Connect
plugin listening on 127.0.0.1:PORT, prints `ready` when it accepts clients, and stops
when its standard input closes. Extra `key=value` arguments are Spark settings."""

from __future__ import annotations

import os
import sys


def main() -> None:
    port, *pairs = sys.argv[1:]
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.pop("SPARK_REMOTE", None)
    from pyspark.sql import SparkSession

    builder = (SparkSession.builder.master("local[2]").appName("qzdsl-test-connect-server")
               .config("spark.plugins", "org.apache.spark.sql.connect.SparkConnectPlugin")
               .config("spark.connect.grpc.binding.address", "127.0.0.1")
               .config("spark.connect.grpc.binding.port", port)
               .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "2").config("spark.driver.memory", "1g"))
    for pair in pairs:
        key, _, value = pair.partition("=")
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    print("ready", flush=True)
    try:
        sys.stdin.read()
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
