from qzdsl.cli import main

main()
