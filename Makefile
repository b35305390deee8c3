run:
	./s2.sh
